/* winograd_b16.c — winograd.c for blocks of 16 channels (see blocks.h). */
#define VGGRT_KB 16
#include "blocks.h"
#include "winograd.c"
