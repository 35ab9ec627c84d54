/* util.h — small helpers the rewriting passes share (util.c). */
#ifndef VGGC_PASSES_UTIL_H
#define VGGC_PASSES_UTIL_H

#include "ir.h"

/* The one live node that reads value v, or NULL when there are none, several,
 * or v is a graph output (its producer cannot absorb what follows). */
Node *sole_user(Graph *g, uint32_t v);
/* The live node producing v (NULL for inputs and constants). */
Node *producer_of(Graph *g, uint32_t v);
/* A float constant's data, or NULL when v is not a float constant. */
const float *const_floats(const Graph *g, uint32_t v);
/* A float constant named base + suffix, made from a weight by a pass.
 * When two nodes read one weight (a module applied twice), the second call
 * finds the constant the first made, with the same shape and bytes, and
 * returns it: one copy, one name.  A name already taken by other data gets
 * a number ("w+bn.2"). */
uint32_t add_float_const(Graph *g, const char *base, const char *suffix, const Shape *s,
                         const float *data);
/* The same for data the pass wrote into g's arena (arena_alloc_aligned,
 * 64-byte aligned), which the constant keeps rather than copies: for big
 * results, such as packed weights.  When an equal constant exists, data
 * goes back to the arena and that constant is returned. */
uint32_t adopt_float_const(Graph *g, const char *base, const char *suffix, const Shape *s,
                           float *data);
/* Makes node `into` produce what `from` produced (its output 0 takes over
 * from's output value, which keeps its name), and marks `from` dead. */
void absorb_node(Graph *g, Node *into, Node *from);

#endif
