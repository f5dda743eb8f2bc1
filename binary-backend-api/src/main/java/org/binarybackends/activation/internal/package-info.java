/**
 * How the activation rule is carried out: the pure rule ({@code ActivationRule}), the activator that
 * runs checks and stores their outcome with compare-and-set, the resolver that answers where uploads
 * go, and the pool of organizations' backends. Not exported: callers reach all of it through {@link
 * org.binarybackends.BinaryBackends}.
 */
package org.binarybackends.activation.internal;
