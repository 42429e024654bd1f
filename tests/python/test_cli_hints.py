"""A mistyped subcommand or option is bad input (exit 2) with a suggestion of what was meant."""
import unittest

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


if __name__ == "__main__":
    unittest.main()
