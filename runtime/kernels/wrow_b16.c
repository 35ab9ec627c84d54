/* wrow_b16.c — wrow.c for blocks of 16 channels (see blocks.h). */
#define VGGRT_KB 16
#include "blocks.h"
#include "wrow.c"
