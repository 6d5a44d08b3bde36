/* producer_ids.c — blocks of producer ids, claimed one by one and prefetched at 90%. */
#include "replica/producer_ids.h"

#include <string.h>

void producer_ids_init(struct producer_ids *m) { memset(m, 0, sizeof *m); }

static bool used_up(const struct producer_id_block *b) { return b->next >= b->first + b->size; }

int64_t producer_ids_generate(struct producer_ids *m)
{
    for (int iteration = 0; iteration < 2; iteration++) {
        struct producer_id_block *b = &m->current;
        if (b->size > 0 && !used_up(b)) {
            int64_t id = b->next++;
            /* prefetchTarget = first + size * 0.9 */
            if (id == b->first + (int64_t)b->size * 9 / 10 && !m->have_prefetched) {
                m->want = true;
            }
            return id;
        }
        if (!m->have_prefetched) {
            m->want = true;
            return -1;
        }
        m->current = m->prefetched;
        m->have_prefetched = false;
    }
    return -1;
}

bool producer_ids_send(struct producer_ids *m, time_ns now)
{
    if (!m->want || m->in_flight || m->have_prefetched || now < m->retry_at) {
        return false;
    }
    m->in_flight = true;
    m->want = false;
    return true;
}

void producer_ids_on_answer(struct producer_ids *m, int16_t error, int64_t start, int32_t len,
                            time_ns now)
{
    m->in_flight = false;
    /* handleAllocateProducerIdsResponse: a block must be sane, else it is an error too */
    if (error != 0 || start < 0 || len <= 0 || start > INT64_MAX - len) {
        m->want = true;
        m->retry_at = now + PRODUCER_IDS_RETRY_BACKOFF;
        return;
    }
    m->prefetched = (struct producer_id_block){.first = start, .size = len, .next = start};
    m->have_prefetched = true;
}
