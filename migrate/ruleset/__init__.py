"""Loading and validating the YAML rules: detectors, languages, contexts, data centers and the endpoint map."""

from migrate.ruleset.loader import RuleSet, builtin_rules_dir, load_ruleset

__all__ = ["RuleSet", "builtin_rules_dir", "load_ruleset"]
