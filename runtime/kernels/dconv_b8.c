/* dconv_b8.c — dconv.c for blocks of 8 channels (see blocks.h). */
#define VGGRT_KB 8
#include "blocks.h"
#include "dconv.c"
