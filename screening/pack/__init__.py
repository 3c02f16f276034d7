"""The rule pack: rules, scoring, regimes, waivers and examples, loaded and validated."""
