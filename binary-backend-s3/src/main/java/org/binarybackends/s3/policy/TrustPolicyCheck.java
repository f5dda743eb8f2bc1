package org.binarybackends.s3.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.binarybackends.OrganizationId;

/**
 * Compares a trust policy a customer pasted, or that IAM's {@code GetRole} returned (URL-encoded),
 * with what the platform needs, by meaning rather than by text: a value may be a string or an array,
 * keys may come in any order, the principal may be the role's ARN or, after the role was deleted,
 * its unique id ({@code AROA...}), extra statements may be there, and an explicit {@code Deny}
 * beats any {@code Allow}.
 *
 * <p>The platform needs one statement that allows {@code sts:AssumeRole} to the platform-side role
 * under the condition {@code StringEquals} (or a {@code StringLike} without wildcards)
 * {@code sts:ExternalId} = the organization id, and no statement that denies it. Every finding is
 * written for the customer: what is missing or wrong, and what to change. Thread-safe.
 */
public final class TrustPolicyCheck {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String platformRoleArn;
  private final Optional<String> platformRoleUniqueId;
  private final OrganizationId organization;

  /**
   * @param platformRoleArn the platform-side role the trust policy must name
   * @param platformRoleUniqueId that role's current unique id ({@code AROA...}), if known: IAM shows
   *     a deleted role's unique id in place of its ARN
   */
  public TrustPolicyCheck(String platformRoleArn, Optional<String> platformRoleUniqueId, OrganizationId organization) {
    this.platformRoleArn = Objects.requireNonNull(platformRoleArn, "platformRoleArn");
    this.platformRoleUniqueId = Objects.requireNonNull(platformRoleUniqueId, "platformRoleUniqueId");
    this.organization = Objects.requireNonNull(organization, "organization");
  }

  /**
   * What the check found.
   *
   * @param trusted whether the platform can assume the role for this organization
   * @param problems why not, each with what to change; empty when trusted
   * @param remarks things worth knowing that do not stop it (extra statements, broad grants)
   */
  public record Result(boolean trusted, List<String> problems, List<String> remarks) {
    public Result {
      problems = List.copyOf(problems);
      remarks = List.copyOf(remarks);
    }
  }

  /** Checks {@code document}, raw JSON or URL-encoded as IAM returns it. */
  public Result check(String document) {
    List<String> problems = new ArrayList<>();
    List<String> remarks = new ArrayList<>();
    JsonNode policy = parse(document, problems);
    if (policy == null) {
      return new Result(false, problems, remarks);
    }
    List<JsonNode> statements = values(policy.get("Statement"));
    if (statements.isEmpty()) {
      problems.add("The policy has no \"Statement\": paste the whole trust policy document.");
      return new Result(false, problems, remarks);
    }
    String otherKind = otherDocumentKind(statements);
    if (otherKind != null) {
      problems.add("This is " + otherKind + ", not a trust policy: open the role in the IAM console, tab \"Trust"
          + " relationships\", and paste that document (its statements have a Principal and no Resource).");
      return new Result(false, problems, remarks);
    }
    boolean allowed = false;
    List<String> nearMisses = new ArrayList<>();
    List<String> otherTrusts = new ArrayList<>();
    for (int i = 0; i < statements.size(); i++) {
      JsonNode s = statements.get(i);
      String name = s.hasNonNull("Sid") ? "statement \"" + s.get("Sid").asText() + "\"" : "statement " + (i + 1);
      String effect = s.path("Effect").asText("");
      if (s.has("NotPrincipal") || s.has("NotAction")) {
        remarks.add(name + " uses NotPrincipal or NotAction, which this check does not evaluate: prefer Principal and"
            + " Action.");
        continue;
      }
      boolean principal = namesPlatformRole(s.get("Principal"), name, problems, remarks, effect);
      boolean action = allowsAssumeRole(s.get("Action"));
      if ("Deny".equals(effect)) {
        if (principal && action && conditionMatches(s.get("Condition"), new ArrayList<>())) {
          problems.add(name + " explicitly denies sts:AssumeRole to " + platformRoleArn + ": an explicit Deny overrides"
              + " every Allow. Remove it.");
        }
        continue;
      }
      if (!"Allow".equals(effect)) {
        remarks.add(name + " has Effect \"" + effect + "\", which is neither Allow nor Deny: IAM would refuse it.");
        continue;
      }
      List<String> conditionProblems = new ArrayList<>();
      boolean condition = conditionMatches(s.get("Condition"), conditionProblems);
      if (principal && action && condition) {
        allowed = true;
        if (isWildcardPrincipal(s.get("Principal"))) {
          remarks.add(name + " trusts every AWS account (\"*\"): anyone who knows your organization id could assume"
              + " the role; name the platform's role " + platformRoleArn + " instead.");
        }
        continue;
      }
      if (!principal) {
        otherTrusts.add(name + " trusts " + describe(s.get("Principal")) + " as well; check that you mean it.");
      }
      if (principal || action) {
        if (!principal) {
          nearMisses.add(name + " allows " + describe(s.get("Principal")) + ", not the platform's role "
              + platformRoleArn + ": set \"Principal\": {\"AWS\": \"" + platformRoleArn + "\"}.");
        }
        if (!action) {
          nearMisses.add(name + " does not allow the action sts:AssumeRole (it allows " + describe(s.get("Action"))
              + "): set \"Action\": \"sts:AssumeRole\".");
        }
        nearMisses.addAll(conditionProblems.stream().map(p -> name + " " + p).toList());
      }
    }
    if (allowed) {
      remarks.addAll(otherTrusts);
    }
    if (!allowed) {
      problems.addAll(nearMisses.isEmpty() ? List.of("No statement allows the platform's role " + platformRoleArn
          + " to assume this role: add the statement of the trust policy the platform generated for you.") : nearMisses);
    }
    return new Result(problems.isEmpty(), problems, remarks);
  }

  /**
   * A bucket policy (statements with a Principal and an S3 Resource) or a permissions policy
   * (statements with a Resource and no Principal), which customers paste by mistake; null if neither.
   */
  private static String otherDocumentKind(List<JsonNode> statements) {
    boolean resources = statements.stream().anyMatch(st -> st.has("Resource") || st.has("NotResource"));
    if (!resources) {
      return null;
    }
    boolean principals = statements.stream().anyMatch(st -> st.has("Principal") || st.has("NotPrincipal"));
    return principals ? "a resource policy, such as a bucket policy (its statements name a Resource)"
        : "a permissions policy (its statements name a Resource and no Principal)";
  }

  /** IAM's largest trust policy is 4,096 characters (2,048 by default); anything much longer is not one. */
  static final int MAX_DOCUMENT_CHARS = 16 * 1024;

  private JsonNode parse(String document, List<String> problems) {
    if (document == null || document.isBlank()) {
      problems.add("The trust policy is empty: paste the whole document, starting with {.");
      return null;
    }
    if (document.length() > MAX_DOCUMENT_CHARS) {
      problems.add("The pasted text has " + document.length() + " characters; a trust policy has at most 4,096"
          + " (IAM's limit): paste only the role's trust policy.");
      return null;
    }
    String text = document.trim();
    if (text.startsWith("%7B") || text.startsWith("%7b")) {
      text = URLDecoder.decode(text, StandardCharsets.UTF_8); // IAM's GetRole returns it URL-encoded
    }
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject()) {
        problems.add("The trust policy is not a JSON object: paste the whole document, starting with {.");
        return null;
      }
      return node;
    } catch (JsonProcessingException e) {
      problems.add("The trust policy is not valid JSON (line " + (e.getLocation() == null ? "?" : e.getLocation()
          .getLineNr()) + "): check for a missing comma, quote or brace.");
      return null;
    }
  }

  private boolean namesPlatformRole(JsonNode principal, String name, List<String> problems, List<String> remarks,
      String effect) {
    if (principal == null) {
      return false;
    }
    if (principal.isTextual() && principal.asText().equals("*")) {
      return true;
    }
    for (JsonNode p : values(principal.get("AWS"))) {
      String value = p.asText();
      if (value.equals(platformRoleArn) || value.equals("*")) {
        return true;
      }
      if (value.startsWith("AROA")) {
        if (platformRoleUniqueId.map(value::equals).orElse(false)) {
          return true;
        }
        if ("Allow".equals(effect)) {
          problems.add(name + " names " + value + ", the unique id of a role that was deleted (IAM shows it instead of"
              + " the ARN). The platform's role was recreated: save the trust policy again with \"Principal\":"
              + " {\"AWS\": \"" + platformRoleArn + "\"}.");
        }
      }
    }
    return false;
  }

  private static boolean isWildcardPrincipal(JsonNode principal) {
    return principal != null && (principal.isTextual() && principal.asText().equals("*")
        || values(principal.get("AWS")).stream().anyMatch(v -> v.asText().equals("*")));
  }

  private static boolean allowsAssumeRole(JsonNode action) {
    for (JsonNode a : values(action)) {
      String v = a.asText().toLowerCase(Locale.ROOT); // action names are case-insensitive
      if (v.equals("sts:assumerole") || v.equals("sts:*") || v.equals("*")) {
        return true;
      }
    }
    return false;
  }

  /** Whether the condition requires exactly this organization's external id; says why not. */
  private boolean conditionMatches(JsonNode condition, List<String> why) {
    if (condition == null || !condition.isObject() || condition.isEmpty()) {
      why.add("has no condition on sts:ExternalId: add \"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \""
          + organization + "\"}}, so that no one else's request can use your role.");
      return false;
    }
    for (Iterator<Map.Entry<String, JsonNode>> ops = condition.properties().iterator(); ops.hasNext(); ) {
      Map.Entry<String, JsonNode> op = ops.next();
      for (Iterator<Map.Entry<String, JsonNode>> keys = op.getValue().properties().iterator(); keys.hasNext(); ) {
        Map.Entry<String, JsonNode> key = keys.next();
        if (!key.getKey().equalsIgnoreCase("sts:ExternalId")) {
          continue; // condition keys are case-insensitive; other keys are the customer's business
        }
        List<String> ids = values(key.getValue()).stream().map(JsonNode::asText).toList();
        boolean equals = op.getKey().equals("StringEquals");
        boolean like = op.getKey().equals("StringLike");
        if (!equals && !like) {
          why.add("tests sts:ExternalId with " + op.getKey() + ": use StringEquals.");
          return false;
        }
        if (like && ids.stream().anyMatch(id -> id.contains("*") || id.contains("?"))) {
          why.add("tests sts:ExternalId with StringLike and a wildcard (" + ids + "), which lets other external ids"
              + " through: use StringEquals with \"" + organization + "\".");
          return false;
        }
        if (!ids.contains(organization.value())) {
          why.add("requires the external id " + ids + ", but your organization id is \"" + organization
              + "\": set \"sts:ExternalId\": \"" + organization + "\".");
          return false;
        }
        return true;
      }
    }
    why.add("has no sts:ExternalId condition: add \"StringEquals\": {\"sts:ExternalId\": \"" + organization + "\"}.");
    return false;
  }

  /** A value IAM accepts as a string or as an array, as a list. */
  private static List<JsonNode> values(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    if (node == null || node.isNull()) {
      return out;
    }
    if (node.isArray()) {
      node.forEach(out::add);
    } else {
      out.add(node);
    }
    return out;
  }

  private static String describe(JsonNode node) {
    return node == null ? "nothing" : node.toString();
  }
}
