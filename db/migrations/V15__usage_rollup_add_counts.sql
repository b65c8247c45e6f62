-- Adds two JSON arrays of counts element by element (a missing element counts 0): how a gateway node's flush
-- adds its latency histogram to a usage_rollups row another node (or an earlier flush) already wrote.

-- [jooq ignore start]
create function tollgate_add_counts(a jsonb, b jsonb) returns jsonb language sql immutable as $$
    select coalesce(jsonb_agg(coalesce(x.v::bigint, 0) + coalesce(y.v::bigint, 0) order by coalesce(x.i, y.i)),
                    '[]'::jsonb)
    from jsonb_array_elements_text(coalesce(a, '[]'::jsonb)) with ordinality as x(v, i)
    full join jsonb_array_elements_text(coalesce(b, '[]'::jsonb)) with ordinality as y(v, i) on x.i = y.i
$$;
-- [jooq ignore stop]
