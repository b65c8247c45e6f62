/**
 * The one entry point for every Tollgate process: {@code migrate}, {@code admin}, {@code gateway} and {@code dev}.
 *
 * <pre>
 * bin/tollgate dev
 *   DevDatabase   TOLLGATE_DB_URL | PostgreSQL on 127.0.0.1:5432 | embedded PostgreSQL (not as root)
 *   Database.migrate
 *   DemoUpstream  ─┐
 *   AdminServer    ├─ one JVM, ports from Settings
 *   GatewayServer ─┘
 *   DemoSeeder    token → tenant → service → route → API key, over HTTP like an operator
 *   poll the gateway with the key until the route answers, print the curl line, block until SIGINT/SIGTERM
 * </pre>
 *
 * The launcher only wires modules together; it holds no gateway or admin logic of its own.
 */
package io.tollgate.launcher;
