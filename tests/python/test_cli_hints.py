"""A mistyped subcommand, option or scenario key is bad input (exit 2) with a suggestion of what was meant,
reported once."""
import tempfile
import unittest
from pathlib import Path

import mppmc_testing as mt


class DidYouMean(unittest.TestCase):
    def test_a_mistyped_subcommand_gets_the_nearest_one(self):
        for typed, meant in [("rnu", "run"), ("valdate", "validate"), ("calibrat", "calibrate"), ("exprot", "export")]:
            with self.subTest(typed=typed):
                p = mt.mppmc(typed)
                self.assertEqual(p.returncode, 2)
                self.assertIn(f"did you mean 'mppmc {meant}'?", p.stderr)

    def test_a_mistyped_option_gets_the_nearest_option_of_its_subcommand(self):
        for args, typed, meant in [(["run", "--path", "10"], "--path", "--paths"),
                                   (["run", "--sed=3"], "--sed", "--seed"),
                                   (["calibrate", "x.toml", "--yaer", "2025"], "--yaer", "--year"),
                                   (["sensitivity", "--sample", "8"], "--sample", "--samples")]:
            with self.subTest(args=args):
                p = mt.mppmc(*args)
                self.assertEqual(p.returncode, 2)
                self.assertIn(f"{typed}: did you mean {meant}?", p.stderr)

    def test_nothing_is_suggested_for_a_word_far_from_every_name(self):
        p = mt.mppmc("simulate-everything")
        self.assertEqual(p.returncode, 2)
        self.assertNotIn("did you mean", p.stderr)

    def test_a_misspelt_key_is_reported_once_without_echoes_about_the_key_it_was_meant_to_be(self):
        # ind.asylum.grant_rate is uncertain and correlated in the default scenario: misspelt, it is
        # unknown, and the real key's absence would also read as "required key is missing" and
        # as a warning that the correlation naming it has no effect.
        text = mt.DEFAULT_SCENARIO.read_text()
        self.assertIn('\ngrant_rate = { dist = "beta"', text)
        with tempfile.TemporaryDirectory() as tmp:
            scenario = Path(tmp) / "typo.toml"
            scenario.write_text(text.replace('\ngrant_rate = { dist = "beta"', '\ngrant_rte = { dist = "beta"'))
            p = mt.mppmc("validate", scenario)
            self.assertEqual(p.returncode, 2)
            self.assertIn("ind.asylum.grant_rte", p.stderr)
            self.assertIn("did you mean 'ind.asylum.grant_rate'?", p.stderr)
            self.assertNotIn("required key is missing", p.stderr)
            self.assertNotIn("has no effect", p.stderr)
            self.assertIn("1 problem", p.stderr)


if __name__ == "__main__":
    unittest.main()
