/**
 * GraphQL on the gateway ({@code /graphql}, GraphiQL at {@code /graphiql}): the REST API's
 * queries, answered by {@link org.gputelemetry.pipeline.gateway.TelemetryApi} with the same
 * parameter parsing and errors, and the live feed as a {@code telemetry} subscription over the
 * graphql-transport-ws protocol. Depends on the gateway package, never the other way round except
 * for the verticle mounting {@link org.gputelemetry.pipeline.gateway.graphql.GraphqlEndpoint}.
 */
package org.gputelemetry.pipeline.gateway.graphql;
