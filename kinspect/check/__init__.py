"""Evaluation: rule × target → result, facts and cross-resource relations, duplicate keys."""
