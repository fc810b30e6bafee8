/* libgreet: the C library of the demo stack. */
#ifndef GREET_H
#define GREET_H
/* Writes "<greeting>, <name>!" into out (at most size bytes); returns its length. */
int greet_format(char *out, int size, const char *greeting, const char *name);
const char *greet_version(void);
#endif
