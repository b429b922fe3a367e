// A WASI command (world hello) in C for wasm32-wasi: `main` runs as `wasi:cli/run`'s `run`.
// It prints its arguments and the GREETING environment variable to stdout, counts the lines
// of data/input.txt when a directory is preopened at "data", writes one line to stderr, and
// exits with the status its first argument names ("exit=N": WASI 0.2's exit takes a result,
// so any status but 0 is 1 to the host).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  printf("hello from a C command, %d argument%s\n", argc, argc == 1 ? "" : "s");
  for (int i = 1; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
  const char *greeting = getenv("GREETING");
  printf("GREETING = %s\n", greeting ? greeting : "(unset)");
  FILE *f = fopen("data/input.txt", "r");
  if (f != NULL) {
    int lines = 0, c;
    while ((c = fgetc(f)) != EOF) lines += c == '\n';
    fclose(f);
    printf("data/input.txt: %d lines\n", lines);
  } else {
    printf("data/input.txt: not found\n");
  }
  fprintf(stderr, "hello: done\n");
  if (argc > 1 && strncmp(argv[1], "exit=", 5) == 0) return atoi(argv[1] + 5);
  return 0;
}
