/** Signing in and out, and the landing page each role starts from. */
package io.tollgate.console.signin;
