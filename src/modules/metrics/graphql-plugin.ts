import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Metrics } from './metrics';
import { UNRESOLVED_OPERATION } from './operation-names';

/**
 * Counts and times every GraphQL operation Apollo serves over HTTP. The operation name is taken
 * in `didResolveOperation`, which runs only after the document parsed and validated, and goes
 * through the bounded label set (operation-names.ts); a request refused earlier is "(unresolved)".
 */
export function graphqlMetricsPlugin<C extends BaseContext>(metrics: Metrics, authenticated: (context: C) => boolean): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      const started = performance.now();
      let operationName = UNRESOLVED_OPERATION;
      let operationType = 'unknown';
      let failed = false;
      return {
        async didResolveOperation({ operationName: name, operation, contextValue }) {
          operationName = metrics.operationNames.labelOf(name, authenticated(contextValue));
          operationType = operation?.operation ?? 'unknown';
        },
        async didEncounterErrors() {
          failed = true;
        },
        async willSendResponse() {
          metrics.graphqlFinished(operationName, operationType, failed, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
