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
/* Contains an ASCII control character other than TAB (and LF/CR when allow_newlines). */
bool text_has_control(const char *s, bool allow_newlines);
/* A code: 1..max characters of A-Z a-z 0-9 . _ - */
bool code_valid(const char *s, size_t max);
/* Only blanks (or empty, or NULL). */
bool text_blank(const char *s);

#endif
