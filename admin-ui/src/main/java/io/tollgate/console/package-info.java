/**
 * The admin console: server-rendered pages (Thymeleaf) served by the admin process at {@code /}, calling the
 * admin-api domain services in-process so the console and the REST API share every rule, RBAC check and audit
 * event. {@link io.tollgate.console.ConsoleServer} starts the admin with the console registered.
 */
package io.tollgate.console;
