package org.binarybackends.postgres;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.binarybackends.OrganizationId;
import org.binarybackends.activation.OrganizationStateStore;
import org.binarybackends.testkit.DurableStateStoreContract;

class PostgresStateStoreContractTest extends DurableStateStoreContract {
  private String schema;

  @Override
  protected OrganizationStateStore createStore() {
    schema = PostgresFixture.freshSchema();
    return PostgresStateStore.builder().dataSource(PostgresFixture.dataSource()).keys(PostgresFixture.KEYS)
        .schema(schema).build();
  }

  @Override
  protected byte[] storedForm(OrganizationId organization) throws Exception {
    try (Connection c = PostgresFixture.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT document FROM " + schema
            + ".organization_state WHERE organization = ?")) {
      s.setString(1, organization.value());
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getString(1).getBytes(StandardCharsets.UTF_8);
      }
    }
  }
}
