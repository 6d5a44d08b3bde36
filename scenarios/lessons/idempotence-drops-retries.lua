-- enable.idempotence=true (the default since 3.0): the same retries, and the leader knows each batch by its sequence: no duplicate
-- The twin of retries-duplicate-writes. The producer took an id from InitProducerId and numbers
-- its batches per partition. When a retried batch reaches the leader with a sequence it has
-- already appended (it keeps the last five batches per producer), it answers with the offsets
-- of the first copy instead of appending it again. Every acknowledged value is read once.
require("retried_batches").run{
  idempotence = "true",
  why = "%d batches were retried and %d writes acknowledged; the leader recognised each retry " ..
        "by its producer id and sequence, and the checker found %d duplicates",
}
