/*
 * text.c — UTF-8 validity and code shapes.
 */
#include "model/text.h"
#include "model/xalloc.h"

#include <stdio.h>
#include <string.h>

bool utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        unsigned c = *p;
        size_t len;
        unsigned min;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) < len)
            return false;
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        p += len;
    }
    return true;
}

size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80;
    return n;
}

size_t utf16_length(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        n += (*p & 0xC0) != 0x80 ? (*p >= 0xF0 ? 2 : 1) : 0;
    return n;
}

bool text_has_control(const char *s, bool allow_newlines)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\t')
            continue;
        if (allow_newlines && (*p == '\n' || *p == '\r'))
            continue;
        if (*p < 0x20 || *p == 0x7F)
            return true;
        /* C1 controls, U+0080..U+009F, are C2 80..C2 9F in UTF-8: U+009B is an 8-bit CSI that
         * some terminals obey, U+0085 a line break. */
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
            return true;
    }
    return false;
}

bool code_valid(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

bool text_blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t')
            return false;
    return true;
}

long utf8_decode(const char *s, size_t n, size_t *len)
{
    const unsigned char *p = (const unsigned char *)s;
    *len = 1;
    if (n == 0)
        return -1;
    unsigned c = p[0];
    size_t k;
    long cp;
    if (c < 0x80)
        return c;
    if ((c & 0xE0) == 0xC0)
        k = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
        k = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
        k = 4, cp = c & 0x07;
    else
        return -1;
    if (n < k || !utf8_valid(s, k))
        return -1;
    for (size_t i = 1; i < k; i++)
        cp = (cp << 6) | (p[i] & 0x3F);
    *len = k;
    return cp;
}

/* Ranges of zero-width (combining) and double-width characters; a compact subset of Unicode's
 * East Asian Width and general categories, enough for names in statements and lists. */
static const long zero_width[][2] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},   {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E},   {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
    {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064},   {0x20D0, 0x20FF}, {0xFE00, 0xFE0F},
    {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};
/* East Asian Wide and Fullwidth characters (Unicode 14 EastAsianWidth.txt, W and F): CJK, Hangul,
 * fullwidth forms, and the emoji that terminals draw two columns wide. */
static const long double_width[][2] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E},
    {0x1F191, 0x1F19A}, {0x1F200, 0x1F320}, {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C},
    {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0},
    {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F43E}, {0x1F440, 0x1F440}, {0x1F442, 0x1F4FC},
    {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567}, {0x1F57A, 0x1F57A},
    {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F}, {0x1F680, 0x1F6C5},
    {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6DF}, {0x1F6EB, 0x1F6EC},
    {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7F0}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945},
    {0x1F947, 0x1F9FF}, {0x1FA70, 0x1FAF6}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

static bool in_ranges(long cp, const long (*r)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cp >= r[i][0] && cp <= r[i][1])
            return true;
    return false;
}

int codepoint_width(long cp)
{
    if (cp < 0)
        return 1;
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp < 0x0300)
        return 1; /* Latin text, below the first range of either table */
    if (in_ranges(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
        return 0;
    if (in_ranges(cp, double_width, sizeof double_width / sizeof double_width[0]))
        return 2;
    return 1;
}

int utf8_width(const char *s)
{
    int w = 0;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x7F) { /* printable ASCII: one column */
            w++;
            i++;
            continue;
        }
        size_t len;
        long cp = utf8_decode(s + i, n - i, &len);
        w += codepoint_width(cp);
        i += len;
    }
    return w;
}

size_t utf8_fit(const char *s, int columns, int *used)
{
    int w = 0;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t len;
        long cp = utf8_decode(s + i, n - i, &len);
        int cw = codepoint_width(cp);
        if (w + cw > columns)
            break;
        w += cw;
        i += len;
    }
    if (used)
        *used = w;
    return i;
}

/* Characters a reader cannot see but that change what is shown: zero-width ones, bidirectional
 * embeddings, overrides and isolates (the "Trojan Source" characters), line and paragraph
 * separators, and the byte-order mark. */
static bool invisible(long cp)
{
    return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

char *text_escape(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s), out = 0;
    for (size_t i = 0; i < n;) {
        size_t len;
        long cp = utf8_decode(s + i, n - i, &len);
        char esc[16];
        const char *piece = esc;
        size_t plen;
        if (cp == '\n' || cp == '\r' || cp == '\t') {
            esc[0] = '\\';
            esc[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
            plen = 2;
        } else if (cp < 0 || cp < 0x20 || cp == 0x7F) {
            plen = (size_t)snprintf(esc, sizeof esc, "\\x%02X", (unsigned char)s[i]);
        } else if ((cp >= 0x80 && cp < 0xA0) || invisible(cp)) {
            plen = (size_t)snprintf(esc, sizeof esc, "\\u{%04lX}", cp);
        } else {
            piece = s + i;
            plen = len;
        }
        if (out + plen + 1 > size)
            break;
        memcpy(buf + out, piece, plen);
        out += plen;
        i += len;
    }
    buf[out] = '\0';
    return buf;
}

char *text_like_pattern(const char *text)
{
    if (!text || !*text)
        return NULL;
    size_t n = strlen(text);
    char *p = xmalloc(2 * n + 3), *q = p;
    *q++ = '%';
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
            *q++ = '\\';
        *q++ = text[i];
    }
    *q++ = '%';
    *q = '\0';
    return p;
}
