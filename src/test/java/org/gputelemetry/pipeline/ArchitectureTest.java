package org.gputelemetry.pipeline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Set;

/**
 * The package structure of the main code, held by rules: arrows between packages point one way,
 * the transport and the store know nothing of the roles that use them, and an {@code impl}
 * package is reached only from inside the package it implements (its factory).
 */
@AnalyzeClasses(packages = "org.gputelemetry.pipeline", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  private static final String ROOT = "org.gputelemetry.pipeline";

  /**
   * The factories that create what their sub-packages implement (the one arrow that may point from
   * a package down into its own sub-package and back): {@code Transports} builds the transports of
   * {@code transport.impl}, {@code TelemetryStores} the stores of {@code store.memory} and
   * {@code store.postgres}.
   */
  private static final Set<String> FACTORIES = Set.of(ROOT + ".transport.Transports", ROOT + ".store.TelemetryStores");

  @ArchTest
  static final ArchRule noCycleBetweenTopLevelPackages = slices().matching(ROOT + ".(*)..")
      .should().beFreeOfCycles()
      .because("a package depends on packages below it, never on one that depends back on it");

  @ArchTest
  static final ArchRule noCycleBetweenPackagesBesideTheFactories = slices().matching(ROOT + ".(**)")
      .should().beFreeOfCycles()
      .ignoreDependency(DescribedPredicate.describe("a factory", (JavaClass c) -> FACTORIES.contains(c.getName())),
          DescribedPredicate.alwaysTrue())
      .because("sub-packages too point one way, except from a factory down to what it builds");

  @ArchTest
  static final ArchRule transportAndStoreKnowNoRole = noClasses()
      .that().resideInAnyPackage(ROOT + ".transport..", ROOT + ".store..")
      .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".streamer..", ROOT + ".collector..", ROOT + ".gateway..")
      .because("the roles use the transport and the store, not the other way round");

  @ArchTest
  static final ArchRule implIsReachedOnlyFromItsParentPackage = classes()
      .should(new ArchCondition<JavaClass>("depend on an impl package only from inside its parent package") {
        @Override
        public void check(JavaClass origin, ConditionEvents events) {
          for (Dependency d : origin.getDirectDependenciesFromSelf()) {
            String target = d.getTargetClass().getPackageName();
            int impl = target.indexOf(".impl");
            boolean isImpl = target.startsWith(ROOT + ".") && impl > 0
                && (target.length() == impl + 5 || target.charAt(impl + 5) == '.');
            if (!isImpl) {
              continue;
            }
            String parent = target.substring(0, impl);
            String from = origin.getPackageName();
            if (!from.equals(parent) && !from.startsWith(parent + ".")) {
              events.add(SimpleConditionEvent.violated(d, d.getDescription() + " reaches " + target
                  + " from outside " + parent));
            }
          }
        }
      })
      .because("an impl package holds internals that only its parent package (its factory) may touch");
}
