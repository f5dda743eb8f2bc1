package org.binarybackends;

import java.util.List;

/**
 * Settings (built in code or read from JSON) or the installed providers were refused. Lists every
 * violation found: a person fixing a configuration file sees all of its mistakes at once.
 */
public final class InvalidConfigurationException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  public InvalidConfigurationException(List<Violation> violations) {
    super("invalid configuration", violations);
  }
}
