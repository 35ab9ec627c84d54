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
    s->v[s->n++] = (FeSpan){off, len};
}

/* Scans one message of type desc occupying all of buf[0..len), which
 * starts at byte base of the outermost message.  *items counts messages
 * and unknown fields seen so far.  spans (NULL: none) collects the bytes
 * fields of spans->min bytes or more. */
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
            } else if (fd && fd->type == PROTOBUF_C_TYPE_BYTES && spans && n >= spans->min) {
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
