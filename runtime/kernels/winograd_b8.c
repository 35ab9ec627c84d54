/* winograd_b8.c — winograd.c for blocks of 8 channels (see blocks.h). */
#define VGGRT_KB 8
#include "blocks.h"
#include "winograd.c"
