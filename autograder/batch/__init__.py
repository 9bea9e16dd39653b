"""``convgrade batch``: grade a folder of submissions in parallel, resumably, and summarize the class.

discover     which files are submissions, and whose
results      where each report lives, when it is current, and scores.csv built from the reports
executors    where grading runs: a local process pool or a dask.distributed cluster
run          grade what is not graded yet, writing each report as it arrives
command      the whole command: discover, run, then rebuild scores.csv, the feedback pages and report.html
classreport  the class report (report.html): students' scores with links, mistakes and who made them, pass
             rates, problems by student
charts       the class report's charts as geometry (drawn as inline SVG by the templates)
feedback_pages  each submission's feedback page (feedback/<path>.html): its text report as HTML
pages        the Jinja2 templates (autograder/templates/report) both pages are filled from, autoescaped
"""
