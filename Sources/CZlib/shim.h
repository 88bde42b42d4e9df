#ifndef FORECAST_CZLIB_SHIM_H
#define FORECAST_CZLIB_SHIM_H
// zlib (Debian: zlib1g-dev), for Avro's deflate codec (raw RFC 1951 streams).
#include <zlib.h>

// deflateInit2/inflateInit2 are macros over the *_ functions; Swift cannot call macros.
static inline int forecast_inflateInit2(z_stream *stream, int windowBits) {
  return inflateInit2(stream, windowBits);
}
static inline int forecast_deflateInit2(z_stream *stream, int level, int method, int windowBits,
                                        int memLevel, int strategy) {
  return deflateInit2(stream, level, method, windowBits, memLevel, strategy);
}
#endif
