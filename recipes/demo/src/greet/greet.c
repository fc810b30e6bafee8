#include <stdio.h>
#include "greet.h"

int greet_format(char *out, int size, const char *greeting, const char *name) {
    return snprintf(out, (size_t)size, "%s, %s!", greeting, name);
}

const char *greet_version(void) { return GREET_VERSION; }
