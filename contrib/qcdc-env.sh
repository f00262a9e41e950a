# /etc/profile.d/qcdc.sh: every login on the ward server finds the ward database and
# its server without options.
export QCDC_DB=/var/lib/qcdc/ward.db
export QCDC_SOCKET=/run/qcdc/ward.sock
