/* strings.c — Cast to and from ONNX STRING tensors.
 *
 * A STRING element is a fixed slot of VGGRT_STRING_SIZE (32) bytes: its
 * ASCII text, NUL-padded, at most 31 bytes.  A fixed width keeps every
 * tensor's size known at compile time, so the arena planner treats STRING
 * like any other dtype.  32 is enough for what a Cast writes: the shortest
 * round-trip form of a float32 is at most 19 characters ("-1234567900000000.0";
 * scientific ones at most 15, "-1.17549435e-38"), of a float64 at most 24
 * ("-2.2250738585072014e-308"), of an int64 20.  Longer input strings are
 * refused where they are read (npy.c), naming the element.
 *
 * Numbers to text follow ONNX's reference Cast, which is numpy's
 * `x.astype(str)`: the shortest digits that read back to the same value
 * (float32 digits for float32), positional when 1e-4 <= |x| < 1e16 or
 * x == 0 ("0.039187793", "100.0", "-0.0"), otherwise scientific with a
 * signed exponent of at least two digits ("1e-05", "1.5e+20"); "nan",
 * "inf", "-inf".  Integers as decimal.
 *
 * Text to numbers is strtof/strtod on the whole element (surrounding
 * spaces allowed): decimal plain and scientific forms, and ONNX's special
 * values "INF", "+INF", "-INF" and "NaN" in any case ("infinity" too, as
 * strtof and Python's float() read it).  Hexadecimal floats, which strtof
 * would take, are not numbers in ONNX's sense and are refused, as is
 * anything else strtof does not consume whole: VGGRT_ERR_VALUE.
 */
#include "vggrt-impl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Does the decimal mant * 10^q read back to v (as a float when f32)?
 * *dist: how far it is from v. */
static int reads_back(unsigned long long mant, int q, double v, int f32, long double *dist)
{
    char buf[48];
    snprintf(buf, sizeof buf, "%llue%d", mant, q);
    long double d = strtold(buf, NULL);
    *dist = fabsl(d - (long double)v);
    return f32 ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v;
}

/* The shortest decimal digits of v (> 0, finite) that read back to v (as a
 * float when f32), the nearest to v among those (numpy's Dragon4 "unique"
 * mode): digits without a point into dig, the decimal exponent of the first
 * digit into *e10; returns the digit count.  For 1, 2, ... significant
 * digits it tries printf's correctly rounded candidate, which is the nearest
 * of its length, and when that does not read back its two neighbours: at a
 * power of two the gap below v is half the gap above, so the nearest
 * candidate can fall out below while the next one up still reads back
 * (float32 2^-96 is "1.2621775e-29", not 9 digits). */
static int shortest_digits(double v, int f32, char dig[32], int *e10)
{
    int max = f32 ? 9 : 17;
    unsigned long long best = 0;
    int q = 0;
    for (int p = 1; p <= max && !best; p++) {
        char buf[48];
        snprintf(buf, sizeof buf, "%.*e", p - 1, v);
        unsigned long long mant = 0;
        const char *s = buf;
        for (; *s && *s != 'e'; s++)
            if (*s != '.')
                mant = mant * 10 + (unsigned long long)(*s - '0');
        q = atoi(s + 1) - (p - 1);
        long double dist, best_dist = 0;
        if (reads_back(mant, q, v, f32, &dist) || p == max) {
            best = mant;
            break;
        }
        for (int k = -1; k <= 1; k += 2) {
            unsigned long long m = mant + (unsigned long long)k;
            if (m && reads_back(m, q, v, f32, &dist) && (!best || dist < best_dist)) {
                best = m;
                best_dist = dist;
            }
        }
    }
    int n = snprintf(dig, 32, "%llu", best);
    *e10 = q + n - 1;
    while (n > 1 && dig[n - 1] == '0')
        n--;
    dig[n] = 0;
    return n;
}

/* numpy's str() of a float32 (f32) or float64 into out[VGGRT_STRING_SIZE]. */
static void format_float(double v, int f32, char *out)
{
    memset(out, 0, VGGRT_STRING_SIZE);
    if (isnan(v)) {
        memcpy(out, "nan", 3);
        return;
    }
    if (isinf(v)) {
        memcpy(out, v < 0 ? "-inf" : "inf", v < 0 ? 4 : 3);
        return;
    }
    char *o = out;
    if (signbit(v))
        *o++ = '-';
    double a = fabs(v);
    if (a == 0) {
        memcpy(o, "0.0", 3);
        return;
    }
    char dig[32];
    int e10;
    int n = shortest_digits(a, f32, dig, &e10);
    /* The bounds compare in double, as numpy does: float32(1e-4) is just
     * under 1e-4 and prints as "1e-04". */
    if (a >= 1e-4 && a < 1e16) {
        if (e10 >= 0) {
            for (int i = 0; i <= e10; i++)
                *o++ = i < n ? dig[i] : '0';
            *o++ = '.';
            if (n > e10 + 1)
                for (int i = e10 + 1; i < n; i++)
                    *o++ = dig[i];
            else
                *o++ = '0';
        } else {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -e10 - 1; i++)
                *o++ = '0';
            for (int i = 0; i < n; i++)
                *o++ = dig[i];
        }
        return;
    }
    *o++ = dig[0];
    if (n > 1) {
        *o++ = '.';
        for (int i = 1; i < n; i++)
            *o++ = dig[i];
    }
    snprintf(o, (size_t)(out + VGGRT_STRING_SIZE - o), "e%c%02d", e10 < 0 ? '-' : '+',
             e10 < 0 ? -e10 : e10);
}

/* One element's text as a number; 0 when it is not one (see the top). */
static int parse_number(const char *slot, int f32, double *v)
{
    char text[VGGRT_STRING_SIZE + 1];
    memcpy(text, slot, VGGRT_STRING_SIZE);
    text[VGGRT_STRING_SIZE] = 0;
    if (memchr(slot, 0, VGGRT_STRING_SIZE) == NULL)
        return 0;                   /* no NUL: not a slot we wrote */
    const char *s = text;
    while (isspace((unsigned char)*s))
        s++;
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    char num[VGGRT_STRING_SIZE + 1];
    memcpy(num, s, len);
    num[len] = 0;
    const char *digits = num + (num[0] == '+' || num[0] == '-');
    if (len == 0 || (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')))
        return 0;
    char *end;
    errno = 0;
    if (f32)
        *v = strtof(num, &end);
    else
        *v = strtod(num, &end);
    /* ERANGE is fine: overflow is +-inf and underflow 0 or a subnormal, as
     * numpy reads them. */
    return end != num && *end == 0;
}

vggrt_status vggrt__cast_string(int from, int to, size_t count, const void *x, void *y)
{
    if (to == VGGRT_STRING) {
        char *o = y;
        for (size_t i = 0; i < count; i++, o += VGGRT_STRING_SIZE) {
            switch (from) {
            case VGGRT_F32: format_float(((const float *)x)[i], 1, o); break;
            case VGGRT_F64: format_float(((const double *)x)[i], 0, o); break;
            case VGGRT_I64:
            case VGGRT_I32:
            case VGGRT_I8:
            case VGGRT_U8: {
                long long k = from == VGGRT_I64 ? (long long)((const int64_t *)x)[i]
                            : from == VGGRT_I32 ? (long long)((const int32_t *)x)[i]
                            : from == VGGRT_I8 ? (long long)((const int8_t *)x)[i]
                                               : (long long)((const uint8_t *)x)[i];
                memset(o, 0, VGGRT_STRING_SIZE);
                snprintf(o, VGGRT_STRING_SIZE, "%lld", k);
                break;
            }
            default:
                return VGGRT_ERR_ARG;
            }
        }
        return VGGRT_OK;
    }
    if (from != VGGRT_STRING || (to != VGGRT_F32 && to != VGGRT_F64))
        return VGGRT_ERR_ARG;
    const char *s = x;
    for (size_t i = 0; i < count; i++, s += VGGRT_STRING_SIZE) {
        double v;
        if (!parse_number(s, to == VGGRT_F32, &v))
            return VGGRT_ERR_VALUE;
        if (to == VGGRT_F32)
            ((float *)y)[i] = (float)v;     /* exact: strtof's result */
        else
            ((double *)y)[i] = v;
    }
    return VGGRT_OK;
}
