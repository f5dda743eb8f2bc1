package org.binarybackends.activation;

/**
 * Observes every transition {@link org.binarybackends.BinaryBackends} stores. Called after the state is stored, on the
 * thread that stored it; an exception thrown here is logged and does not undo the transition. Keep
 * it quick, or hand the event to a queue.
 */
@FunctionalInterface
public interface ActivationListener {
  void onTransition(ActivationEvent event);
}
