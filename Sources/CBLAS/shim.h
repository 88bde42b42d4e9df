#ifndef FORECAST_CBLAS_SHIM_H
#define FORECAST_CBLAS_SHIM_H
// OpenBLAS's CBLAS (Debian: libopenblas-dev) and the LAPACKE C interface (liblapacke-dev).
// Only Sources/Tensor/BLAS.swift and Sources/Tensor/LAPACK.swift import this module.
#include <cblas.h>
#include <lapacke.h>
#endif
