// The Apache Avro C reference of issue 4: read a Milestone-1 file with Avro C's generic values and
// sum listening_time.start_time, timed. Not part of the product (docs/architecture.md: Avro C is
// a benchmark reference only). Build and run:
//   sudo apt-get install libavro-dev
//   cc -O2 scripts/avro-c-reference.c -lavro -o /tmp/avro-c-reference
//   /tmp/avro-c-reference FILE.avro
// Prints one JSON line: {"reader":"avro-c","records":N,"records_per_s":R,"sum":S}.
#include <avro.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s FILE.avro\n", argv[0]);
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  avro_file_reader_t reader;
  if (avro_file_reader(argv[1], &reader)) {
    fprintf(stderr, "%s: %s\n", argv[1], avro_strerror());
    return 1;
  }
  avro_schema_t schema = avro_file_reader_get_writer_schema(reader);
  avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
  avro_value_t record;
  avro_generic_value_new(iface, &record);
  long long records = 0, sum = 0;
  while (avro_file_reader_read_value(reader, &record) == 0) {
    avro_value_t period, start;
    int64_t v = 0;
    if (avro_value_get_by_name(&record, "listening_time", &period, NULL) == 0 &&
        avro_value_get_by_name(&period, "start_time", &start, NULL) == 0 &&
        avro_value_get_long(&start, &v) == 0) {
      sum += v;
    }
    records++;
    avro_value_reset(&record);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  printf("{\"reader\":\"avro-c\",\"records\":%lld,\"records_per_s\":%.0f,\"sum\":%lld}\n", records,
         records / seconds, sum);
  avro_value_decref(&record);
  avro_value_iface_decref(iface);
  avro_schema_decref(schema);
  avro_file_reader_close(reader);
  return 0;
}
