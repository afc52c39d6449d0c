-- 0007_posting.sql — version 7: one index fewer to keep up on every journal entry. Forward only;
-- data/schema.sql shows the resulting shape.

-- Nothing looks entries up by their source: the source is read from the entry (the journal
-- report, the change log). Keeping the index cost every posting a write, and a month's
-- recognition, an entry per contract, a pass over the whole index.
DROP INDEX journal_entries_source;
