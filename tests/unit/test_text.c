/*
 * test_text.c — UTF-8 validity, control characters and the escaping that keeps a hostile file's
 * bytes from acting on the terminal when a message quotes them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "model/text.h"

static void test_escape(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"plain ASCII, 1,000.00", "plain ASCII, 1,000.00"},
        {"Zoë Åberg さくら", "Zoë Åberg さくら"},
        {"two\nlines\r\n", "two\\nlines\\r\\n"},
        {"tab\there", "tab\\there"},
        {"\x1b[2Jcleared", "\\x1B[2Jcleared"},
        {"bell\x07 del\x7f", "bell\\x07 del\\x7F"},
        {"c1 \xc2\x9b[31m", "c1 \\u{009B}[31m"},               /* 8-bit CSI */
        {"over\xc0\xaflong", "over\\xC0\\xAFlong"},            /* overlong '/' */
        {"lone \x80 byte", "lone \\x80 byte"},                 /* continuation */
        {"cut \xe3\x81", "cut \\xE3\\x81"},                    /* truncated sequence */
        {"sur\xed\xa0\x80rogate", "sur\\xED\\xA0\\x80rogate"}, /* U+D800 */
        {"\xef\xbb\xbfName", "\\u{FEFF}Name"},                 /* byte-order mark */
        {"abc\xe2\x80\xaetxt", "abc\\u{202E}txt"},             /* right-to-left override */
        {"zero\xe2\x80\x8bwidth", "zero\\u{200B}width"},
        {"line\xe2\x80\xa8sep", "line\\u{2028}sep"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        assert_string_equal(text_escape(cases[i].in, buf, sizeof buf), cases[i].want);
    }
}

static void test_escape_truncates_at_a_boundary(void **state)
{
    (void)state;
    char buf[8];
    /* "ab" + "\x1B" (4 bytes) fits in 7; the next escape does not, and is left out whole. */
    assert_string_equal(text_escape("ab\x1b\x1b", buf, sizeof buf), "ab\\x1B");
    /* A three-byte character is never split. */
    assert_string_equal(text_escape("abcdeさ", buf, sizeof buf), "abcde");
    assert_string_equal(text_escape("", buf, 1), "");
}

static void test_control(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool newlines, want;
    } cases[] = {
        {"Acme Corporation", false, false},
        {"Zoë Åberg さくら ©", false, false}, /* C2 A9 is ©, not a control */
        {"tab\tis fine", false, false},
        {"two\nlines", false, true},
        {"two\nlines", true, false},
        {"esc\x1b[31m", true, true},
        {"del\x7f", false, true},
        {"csi\xc2\x9b[31m", false, true}, /* U+009B */
        {"nel\xc2\x85", true, true},      /* U+0085, a line break but not LF or CR */
        {"pad\xc2\x80", false, true},     /* U+0080 */
        {"apc\xc2\x9f", false, true},     /* U+009F */
        {"nbsp\xc2\xa0", false, false},   /* U+00A0 is a space */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(text_has_control(cases[i].in, cases[i].newlines), cases[i].want);
}

/* Display width as a terminal draws it, and length as a spreadsheet cell counts it. */
static void test_width_and_cell_length(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int width;
        size_t utf16;
    } cases[] = {
        {"Acme", 4, 4},
        {"Zoe\xcc\x88", 3, 4},                      /* e + combining diaeresis */
        {"さくら", 6, 3},                           /* CJK: wide, one unit each */
        {"\xf0\x9f\x9a\x80", 2, 2},                 /* U+1F680 rocket: wide, a pair */
        {"\xe2\x98\x94", 2, 1},                     /* U+2614 umbrella with rain drops */
        {"\xd8\xb4\xd8\xb1\xd9\x83\xd8\xa9", 4, 4}, /* Arabic: narrow */
        {"\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", 4,
         5}, /* woman, ZWJ, laptop: two glyphs unjoined */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(utf8_width(cases[i].in), cases[i].width);
        assert_int_equal(utf16_length(cases[i].in), cases[i].utf16);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_width_and_cell_length),
        cmocka_unit_test(test_escape_truncates_at_a_boundary),
        cmocka_unit_test(test_control),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
