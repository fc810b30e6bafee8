/* greeter: links libgreet and reads the greetings-data package. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "greet.h"

int main(int argc, char **argv) {
    const char *data = getenv("GREETINGS_DATA");
    const char *name = argc > 1 ? argv[1] : "grid";
    char greeting[256] = "Hello";
    if (data) {
        char path[4096];
        snprintf(path, sizeof path, "%s/greeting.txt", data);
        FILE *file = fopen(path, "r");
        if (!file) { fprintf(stderr, "greeter: cannot read %s\n", path); return 2; }
        if (fgets(greeting, sizeof greeting, file)) greeting[strcspn(greeting, "\n")] = 0;
        fclose(file);
    }
    char line[512];
    greet_format(line, sizeof line, greeting, name);
    printf("%s (libgreet %s)\n", line, greet_version());
    return 0;
}
