-- enable.idempotence=false: a request times out while its write is already in the log; the retry appends it again, a duplicate
-- The followers are slow for 3 s, so acks=all takes longer than request.timeout.ms (1 s). The
-- producer cannot tell a lost request from a slow one: it gives up on the request and sends the
-- same batch again. The leader had appended the first copy and is waiting on its followers;
-- without a producer id and sequence it cannot recognise the second, and appends it too. The
-- consumer reads those values twice, at two offsets: the checker names them (duplicate).
require("retried_batches").run{
  idempotence = "false",
  expect = { "duplicate" },
  why = "%d batches were retried and %d writes acknowledged; the leader appended each retried " ..
        "batch again, and the checker found %d values at two offsets",
}
