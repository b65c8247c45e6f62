/**
 * Config snapshots: {@link io.tollgate.gateway.snapshot.SnapshotPoller} notices a new config version (LISTEN on
 * {@code tollgate_config}, polling {@code config_state.version} as the fallback), reads the whole config in one
 * REPEATABLE READ transaction, compiles it ({@code SnapshotCompiler}) into an immutable
 * {@link io.tollgate.gateway.snapshot.Snapshot} and publishes it with one reference swap in
 * {@link io.tollgate.gateway.snapshot.SnapshotHolder}. A config that does not compile is rejected and the last
 * good snapshot stays; the last good one is also kept on disk ({@code SnapshotFile}) for starting while the
 * database is down. {@link io.tollgate.gateway.snapshot.NodeHeartbeat} reports the applied version.
 */
package io.tollgate.gateway.snapshot;
