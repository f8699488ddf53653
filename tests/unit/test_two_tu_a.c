/* Two translation units: this one holds the implementation... */
#define PARALLAX_IMPLEMENTATION
#include "parallax.h"
