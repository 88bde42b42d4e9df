#ifndef FORECAST_CKAFKA_SHIM_H
#define FORECAST_CKAFKA_SHIM_H
// librdkafka (Debian: librdkafka-dev), with its in-process mock cluster for tests.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#endif
