/*
 * text.h — small text rules shared by the model: UTF-8 validity and the shape of codes.
 */
#ifndef RATABLE_TEXT_H
#define RATABLE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
bool utf8_valid(const char *s, size_t n);
/* The number of characters (code points) of valid UTF-8. */
size_t utf8_length(const char *s);
/* Characters as a spreadsheet counts them (UTF-16 code units: an emoji beyond the Basic
 * Multilingual Plane is two), for the TEXT_CELL_MAX limit of one cell. */
size_t utf16_length(const char *s);
/* Contains a control character (C0, DEL or C1) other than TAB (and LF/CR when allow_newlines). */
bool text_has_control(const char *s, bool allow_newlines);
/* A code: 1..max characters of A-Z a-z 0-9 . _ - */
bool code_valid(const char *s, size_t max);
/*
 * Terminal columns a UTF-8 string takes: wide East Asian characters count 2, combining marks 0,
 * control characters 0. Invalid bytes count 1 each.
 */
int utf8_width(const char *s);
/* The length in bytes of the longest prefix of s that fits in `columns`; *used gets its width.
 * Never splits a character. */
size_t utf8_fit(const char *s, int columns, int *used);
/* Decodes one character at s (n bytes available): its code point, or -1 for an invalid byte;
 * *len gets the bytes consumed (at least 1). */
long utf8_decode(const char *s, size_t n, size_t *len);
/* Columns one code point takes. */
int codepoint_width(long cp);
/* Only blanks (or empty, or NULL). */
bool text_blank(const char *s);
/* The LIKE pattern (with ESCAPE '\') for a search: %text% with % _ and \ taken as themselves.
 * NULL for an empty or NULL text; the caller frees. */
char *text_like_pattern(const char *text);

/* The longest one-line note, reason, reference or description a book keeps, in bytes (an emoji
 * is four): what the documents that show them hold. Longer input is refused, naming the field,
 * never cut. Names and addresses of customers may be as long as a spreadsheet cell
 * (TEXT_CELL_MAX characters). */
#define TEXT_SHORT_MAX 255
#define TEXT_CELL_MAX  32767
/*
 * Copies s into buf (size >= 1) so that it prints as one line showing what it holds, however
 * hostile the bytes: control characters become \n, \r, \t or \xNN, bytes that are not UTF-8
 * become \xNN, and characters that are invisible or reorder the text around them (zero-width
 * spaces and joiners, bidirectional controls, line and paragraph separators, the byte-order mark)
 * become \u{XXXX}. Every other character is copied as it is. Stops at a character boundary when
 * buf is full. Returns buf.
 */
char *text_escape(const char *s, char *buf, size_t size);

#endif
