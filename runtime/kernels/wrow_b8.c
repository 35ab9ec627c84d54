/* wrow_b8.c — wrow.c for blocks of 8 channels (see blocks.h). */
#define VGGRT_KB 8
#include "blocks.h"
#include "wrow.c"
