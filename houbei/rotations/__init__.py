"""Rotation (轮岗锻炼, SPEC module 6): the two-way selection of reserve cadres and posts."""
