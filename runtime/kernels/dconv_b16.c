/* dconv_b16.c — dconv.c for blocks of 16 channels (see blocks.h). */
#define VGGRT_KB 16
#include "blocks.h"
#include "dconv.c"
