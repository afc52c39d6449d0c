-- 0007_posting.sql — version 7: a month's recognition compares less and writes less. Forward only;
-- data/schema.sql shows the resulting shape.

-- Nothing looks entries up by their source: the source is read from the entry (the journal
-- report, the change log). Keeping the index cost every posting a write, and a month's
-- recognition, an entry per contract, a pass over the whole index.
DROP INDEX journal_entries_source;

-- The first month a re-planned obligation's schedule changed since recognition last posted it in
-- full: the next run compares it from there, not from its first month. Unknown for the
-- obligations re-planned before this version: they are compared in full once.
ALTER TABLE obligations ADD COLUMN replan_from TEXT;
