#ifndef FORECAST_CZSTD_SHIM_H
#define FORECAST_CZSTD_SHIM_H
// zstd (Debian: libzstd-dev), for Avro's zstandard codec.
#include <zstd.h>
#endif
