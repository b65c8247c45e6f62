/**
 * The console's HTTP edge: sessions and CSRF, security headers, form parsing, Thymeleaf rendering, and the
 * {@link io.tollgate.console.web.Visit} every page handler receives. Page handlers live in the packages beside.
 */
package io.tollgate.console.web;
