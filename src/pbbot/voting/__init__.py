"""Voting: the candidate projects on the ballot (`tables`, `projects_file`, `projects`).

Projects come from two sources that share one numbering per edition: staff's
CSV file (`pbbot projects import`) and the accepted ideas' candidates
(`pbbot.ideas.projects`).
"""
