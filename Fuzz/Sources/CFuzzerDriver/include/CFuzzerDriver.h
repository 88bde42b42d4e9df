#ifndef C_FUZZER_DRIVER_H
#define C_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, `FuzzerInterface.h`): parses libFuzzer's flags from
/// `argv` and runs `callback` on each input. Defined by the fuzzer runtime that
/// `-sanitize=fuzzer` links.
int LLVMFuzzerRunDriver(int *argc, char ***argv,
                        int (*callback)(const uint8_t *data, size_t size));

#endif
