#ifndef FORECAST_CSNAPPY_SHIM_H
#define FORECAST_CSNAPPY_SHIM_H
// snappy's C interface (Debian: libsnappy-dev), for Avro's snappy codec.
#include <snappy-c.h>
#endif
