/* pbscan.c — a look at the bytes before protoc-c's unpacker sees them.
 *
 * protobuf-c unpacks nested messages by recursion, with no depth limit, and
 * allocates a struct for every message it meets.  ONNX's schema is
 * recursive (a node's attribute holds a graph holding nodes ...), so a few
 * hundred kilobytes of nested length prefixes would overflow the stack, and
 * a file of empty sub-messages makes it allocate fifty times its size.  The
 * official protobuf runtimes refuse nesting deeper than 100; this walk gives
 * us the same guarantee: it follows the wire format with the generated
 * descriptors (so it knows which length-delimited fields are messages),
 * bounds depth and the number of messages and unknown fields, and checks
 * that every tag and length stays inside its parent.  It copies nothing, so
 * on a 500 MB model it costs a skim over the few thousand fields around the
 * weight blobs.  Unpack still does the full validation.
 */
#include "frontend-impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *p;
    size_t len, pos;
} Cursor;

/* Reads a base-128 varint of at most 10 bytes; false if truncated or longer. */
static bool read_varint(Cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (c->pos >= c->len)
            return false;
        uint8_t b = c->p[c->pos++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Steps over n bytes; false if fewer remain. */
static bool skip(Cursor *c, uint64_t n)
{
    if (n > c->len - c->pos)
        return false;
    c->pos += (size_t)n;
    return true;
}

/* Adds [off, off + len) to spans (at most one per spans->min bytes of the
 * model: memory runs out only when everything does). */
static void add_span(FeSpans *s, size_t off, size_t len)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        FeSpan *v = cap <= SIZE_MAX / sizeof *v ? realloc(s->v, cap * sizeof *v) : NULL;
        if (!v) {
            fprintf(stderr, "vggc: error: out of memory\n");
            exit(3);
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = (FeSpan){.off = off, .len = len};
}

/* Whether fd is TensorProto.raw_data (field 9), where weights live. */
static bool is_raw_data(const ProtobufCMessageDescriptor *desc, const ProtobufCFieldDescriptor *fd)
{
    return desc == &onnx__tensor_proto__descriptor && fd && fd->id == 9 &&
           fd->type == PROTOBUF_C_TYPE_BYTES;
}

/* Scans one message of type desc occupying all of buf[0..len), which
 * starts at byte base of the outermost message.  *items counts messages
 * and unknown fields seen so far.  spans (NULL: none) collects the
 * TensorProto.raw_data fields of spans->min bytes or more. */
static const char *scan(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                        size_t base, int depth, size_t *items, FeSpans *spans)
{
    if (depth > FE_MAX_DEPTH)
        return "messages nested more than 100 deep";
    if (++*items > FE_MAX_MESSAGES)
        return "more than 16M messages";
    Cursor c = {buf, len, 0};
    while (c.pos < c.len) {
        uint64_t tag, n;
        if (!read_varint(&c, &tag))
            return "truncated field tag";
        if (tag >> 3 == 0 || tag >> 3 > 0x1fffffff)
            return "invalid field number";
        const ProtobufCFieldDescriptor *fd =
            protobuf_c_message_descriptor_get_field(desc, (unsigned)(tag >> 3));
        if (!fd && ++*items > FE_MAX_MESSAGES)
            return "more than 16M unknown fields";
        switch (tag & 7) {
        case PROTOBUF_C_WIRE_TYPE_VARINT:
            if (!read_varint(&c, &n))
                return "truncated varint";
            break;
        case PROTOBUF_C_WIRE_TYPE_64BIT:
            if (!skip(&c, 8))
                return "truncated 64-bit field";
            break;
        case PROTOBUF_C_WIRE_TYPE_32BIT:
            if (!skip(&c, 4))
                return "truncated 32-bit field";
            break;
        case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED: {
            if (!read_varint(&c, &n) || n > c.len - c.pos)
                return "length prefix runs past the end of its message";
            if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE) {
                const char *why = scan(fd->descriptor, c.p + c.pos, (size_t)n, base + c.pos,
                                       depth + 1, items, spans);
                if (why)
                    return why;
            } else if (spans && n >= spans->min && is_raw_data(desc, fd)) {
                add_span(spans, base + c.pos, (size_t)n);
            }
            c.pos += (size_t)n;
            break;
        }
        default:
            return "unsupported wire type (groups are not used by ONNX)";
        }
    }
    return NULL;
}

const char *fe_pb_scan(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len)
{
    size_t items = 0;
    return scan(desc, buf, len, 0, 0, &items, NULL);
}

const char *fe_pb_scan_spans(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
                             size_t len, FeSpans *spans)
{
    size_t items = 0;
    return scan(desc, buf, len, 0, 0, &items, spans);
}

/* ---- the model without its weights ---------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t n, cap;
    bool bad;                       /* not what scan walked */
} Out;

/* Out of memory: exit 3, as add_span and the rest of the frontend. */
static void put(Out *o, const void *src, size_t n)
{
    if (n == 0)
        return;
    if (n > o->cap - o->n) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap - o->n < n && cap <= SIZE_MAX / 2)
            cap *= 2;
        uint8_t *p = cap - o->n >= n ? realloc(o->p, cap) : NULL;
        if (!p) {
            fprintf(stderr, "vggc: error: out of memory\n");
            exit(3);
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->n, src, n);
    o->n += n;
}

static void put_varint(Out *o, uint64_t v)
{
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    put(o, b, n);
}

/* Span k's marker: the nonce, then k (little-endian). */
static void span_marker(const FeSpans *s, size_t k, uint8_t marker[FE_MARKER_LEN])
{
    memcpy(marker, s->nonce, sizeof s->nonce);
    for (int i = 0; i < 8; i++)
        marker[8 + i] = (uint8_t)((uint64_t)k >> (8 * i));
}

/* Writes the message of type desc in buf[0..len) (at byte base of the
 * outermost one, already walked by scan) to o, each field as it is but
 * span *k onwards: a span's field gets the marker instead of its bytes, a
 * message field holding one is written again, with its new length. */
static void slim(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                 size_t base, const FeSpans *s, size_t *k, Out *o)
{
    Cursor c = {buf, len, 0};
    while (c.pos < c.len && !o->bad) {
        const size_t start = c.pos;
        uint64_t tag = 0, n = 0;
        /* (scan has checked every tag and length; checked again all the same) */
        if (!read_varint(&c, &tag)) {
            o->bad = true;
            break;
        }
        const size_t tag_end = c.pos;
        switch (tag & 7) {
        case PROTOBUF_C_WIRE_TYPE_VARINT: o->bad = !read_varint(&c, &n); break;
        case PROTOBUF_C_WIRE_TYPE_64BIT: o->bad = !skip(&c, 8); break;
        case PROTOBUF_C_WIRE_TYPE_32BIT: o->bad = !skip(&c, 4); break;
        case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED: {
            if (!read_varint(&c, &n) || n > c.len - c.pos) {
                o->bad = true;
                break;
            }
            const size_t body = c.pos, at = base + body;
            c.pos += (size_t)n;
            if (*k < s->n && s->v[*k].off == at) {
                uint8_t marker[FE_MARKER_LEN];
                span_marker(s, *k, marker);
                put(o, buf + start, tag_end - start);
                put_varint(o, sizeof marker);
                put(o, marker, sizeof marker);
                ++*k;
                continue;
            }
            const ProtobufCFieldDescriptor *fd =
                protobuf_c_message_descriptor_get_field(desc, (unsigned)(tag >> 3));
            if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE && *k < s->n &&
                s->v[*k].off < at + (size_t)n) {
                Out sub = {0};
                slim(fd->descriptor, buf + body, (size_t)n, at, s, k, &sub);
                put(o, buf + start, tag_end - start);
                put_varint(o, sub.n);
                put(o, sub.p, sub.n);
                o->bad |= sub.bad;
                free(sub.p);
                continue;
            }
            break;
        }
        default:
            o->bad = true;
        }
        if (!o->bad)
            put(o, buf + start, c.pos - start);
    }
}

const char *fe_pb_slim(const ProtobufCMessageDescriptor *desc, const uint8_t *buf, size_t len,
                       const FeSpans *spans, uint8_t **out, size_t *out_len)
{
    Out o = {0};
    size_t k = 0;
    slim(desc, buf, len, 0, spans, &k, &o);
    if (o.bad || k != spans->n) {
        free(o.p);
        *out = NULL;
        *out_len = 0;
        return "the weights' places were lost (a bug)";
    }
    *out = o.p;
    *out_len = o.n;
    return NULL;
}

FeSpan *fe_span_of(const FeSpans *s, const Onnx__TensorProto *t)
{
    if (!s || !s->n || !t->has_raw_data || t->raw_data.len != FE_MARKER_LEN ||
        memcmp(t->raw_data.data, s->nonce, sizeof s->nonce) != 0)
        return NULL;
    uint64_t k = 0;
    for (int i = 0; i < 8; i++)
        k |= (uint64_t)t->raw_data.data[8 + i] << (8 * i);
    return k < s->n ? &s->v[k] : NULL;
}
