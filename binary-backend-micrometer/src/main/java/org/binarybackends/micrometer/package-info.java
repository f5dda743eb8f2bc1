/**
 * The binding of the library's {@link org.binarybackends.spi.Instrumentation} to Micrometer: {@link
 * org.binarybackends.micrometer.MicrometerInstrumentation}.
 */
package org.binarybackends.micrometer;
